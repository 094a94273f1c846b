// A reason Sokoni cannot start that the person starting it can fix by changing one setting.
// main.ts prints the message as one line on stderr and exits 1; the message starts with the
// setting's name, so the line says what to change.
export class StartupError extends Error {
  override name = 'StartupError';
  constructor(readonly setting: string, message: string) {
    super(`${setting}: ${message}`);
  }
}
