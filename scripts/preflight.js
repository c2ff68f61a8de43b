// What `npm start` checks before it loads anything that is not built into Node: a Node new enough for
// package.json's engines field, and installed dependencies. Each problem is one sentence saying what to run.
//
// Old syntax on purpose (no top-level await, ?., ??, import.meta.dirname, node: specifiers): this file and
// start.js must parse and run on any Node that loads ES modules, so an old Node prints the sentence instead
// of a SyntaxError. src/scripts.test.ts parses both files to keep it so.
import { existsSync, readFileSync } from 'fs';
import path from 'path';

/** @param {string} version */
function numbers(version) {
	return String(version)
		.replace(/^v/, '')
		.split('.')
		.map(function (part) {
			return parseInt(part, 10) || 0;
		});
}

/**
 * The problem with running on Node `version` given an engines range such as ">=22.17", or null.
 * @param {string} version
 * @param {string | undefined} range
 * @returns {string | null}
 */
export function nodeVersionProblem(version, range) {
	const match = /^\s*>=\s*(\d+(?:\.\d+){0,2})\s*$/.exec(range || '');
	// Only the ">=" form is checked; any other range is npm's business, not a reason to refuse.
	if (!match) return null;
	const have = numbers(version);
	const need = numbers(match[1]);
	for (let i = 0; i < 3; i++) {
		const a = have[i] || 0;
		const b = need[i] || 0;
		if (a > b) return null;
		if (a < b)
			return (
				'Postern needs Node.js ' +
				match[1] +
				' or newer (package.json engines: ' +
				range +
				'), ' +
				'but this is Node.js ' +
				version +
				': install Node.js 24 LTS (https://nodejs.org) and run npm start again.'
			);
	}
	return null;
}

/**
 * The first dependency of package.json that node_modules lacks, or null.
 * @param {string} root
 * @param {{ dependencies?: Record<string, string>, devDependencies?: Record<string, string> }} manifest
 */
function missingDependency(root, manifest) {
	const names = Object.keys(manifest.dependencies || {}).concat(
		Object.keys(manifest.devDependencies || {})
	);
	for (let i = 0; i < names.length; i++) {
		const where = path.join(root, 'node_modules', names[i], 'package.json');
		if (!existsSync(where)) return path.join('node_modules', names[i]);
	}
	return null;
}

/**
 * Null when `npm start` can go ahead in `root`, else the one sentence to print.
 * @param {{ root: string, nodeVersion: string }} options
 * @returns {string | null}
 */
export function startProblem(options) {
	const manifest = JSON.parse(readFileSync(path.join(options.root, 'package.json'), 'utf8'));
	const tooOld = nodeVersionProblem(options.nodeVersion, (manifest.engines || {}).node);
	if (tooOld) return tooOld;
	const missing = missingDependency(options.root, manifest);
	if (missing)
		return (
			"Postern's dependencies are not installed (" +
			missing +
			' is missing): run `npm install` in ' +
			options.root +
			', then npm start again.'
		);
	return null;
}
