// The door to Sokoni's MoMo Open API client: the only code in Sokoni that speaks HTTP to MoMo.
export { createMomoClient, momoOptionsFromConfig } from './client';
export { MomoError, isRequestSpecificCode, type ClientErrorCode } from './errors';
export { newReferenceId, isUuidV4 } from './ids';
export { MAX_MESSAGE_LENGTH } from './validate';
export { MOMO_DEFAULTS, MOMO_VARIABLES, readMomoSettings, type MomoSettings, type MomoSettingsResult, type SettingProblem } from './settings';
export type * from './types';
