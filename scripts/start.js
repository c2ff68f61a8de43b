// `npm start`: checks first that this Node is new enough and that the dependencies are installed, and says in
// one sentence what to run when not; then builds when needed and serves (build-and-serve.js).
//
// Old syntax on purpose, like preflight.js: only built-in modules are imported before the checks, and nothing
// here needs a newer Node to parse, so an old Node or a missing node_modules gets the sentence, not a stack.
import path from 'path';
import { fileURLToPath } from 'url';
import { startProblem } from './preflight.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const problem = startProblem({ root: root, nodeVersion: process.versions.node });
if (problem) {
	console.error(problem);
	process.exit(1);
}
import('./build-and-serve.js').catch(function (error) {
	console.error(error);
	process.exit(1);
});
