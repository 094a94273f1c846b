// The one place that says what a UUID looks like. Sokoni's own ids and references are
// version 4 (MoMo refuses any other X-Reference-Id); ids that come from elsewhere (MoMo's
// party codes) may be of any version.
export const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
export const ANY_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuidV4(value: unknown): value is string {
  return typeof value === 'string' && UUID_V4.test(value);
}

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && ANY_UUID.test(value);
}
