/** The package version, in one place for the CLI, the API and the OpenAPI document. */
export const VERSION = '0.1.0';
