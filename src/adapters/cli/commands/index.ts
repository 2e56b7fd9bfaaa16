/** Every command, in the order `penny --help` lists them. One line per command. */
import type { RegisterCommand } from '../context.js';
import { registerDemo } from './demo.js';
import { registerInit } from './init.js';
import { registerValidate } from './validate.js';
import { registerCost } from './cost.js';
import { registerGpu } from './gpu.js';

export const commands: RegisterCommand[] = [registerDemo, registerInit, registerValidate, registerCost, registerGpu];
