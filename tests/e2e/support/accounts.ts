/** The accounts the e2e specs create. The passwords pass the policy (long, not common, not the username). */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface Account {
	username: string;
	password: string;
}

export const ADMIN: Account = { username: 'site-admin', password: 'Sturdy-Harbor-Lantern-42' };
export const SUPPORT: Account = { username: 'support-desk', password: 'Quiet-Meadow-Compass-97' };

/** Recovery codes as Postern prints them: four groups of four Crockford base32 characters. */
export const RECOVERY_CODE = /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/;

export const ARGON2ID_PREFIX = '$argon2id$v=19$m=19456,t=2,p=1$';

/** The setup code a server on this data folder printed and keeps in `<dataDir>/setup-code` until setup. */
export function setupCodeOf(dataDir: string): string {
	return readFileSync(path.join(dataDir, 'setup-code'), 'utf8').trim();
}

const MAIN_CODES = () => path.join(process.env.POSTERN_E2E_TMP!, 'main-recovery-codes.json');

/** The first-run project keeps the main server's recovery codes here for later specs. */
export function saveMainCodes(codes: string[]) {
	writeFileSync(MAIN_CODES(), JSON.stringify(codes));
}

export function mainCodes(): string[] {
	return JSON.parse(readFileSync(MAIN_CODES(), 'utf8'));
}
