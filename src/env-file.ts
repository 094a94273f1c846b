// The developer's `.env`, read from the working directory by the commands people run
// (`npm start`, `migrate`, `seed`). Anything started by a test, the bench or the chaos run is
// given SOKONI_DOTENV=false and exactly the environment it needs, so a developer's .env (an
// ngrok PUBLIC_URL, real MoMo keys, another DATABASE_PATH) never changes what it does.
import dotenv from 'dotenv';

export function loadDotenv(env: NodeJS.ProcessEnv = process.env): void {
  if (env.SOKONI_DOTENV === 'false') return;
  dotenv.config({ quiet: true });
}
