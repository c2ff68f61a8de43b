import { config } from '#lib/server/config.js';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = () => ({ mock: config.mock });
