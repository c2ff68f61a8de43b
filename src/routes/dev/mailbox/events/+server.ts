import { error } from '@sveltejs/kit';
import { dev } from '$app/env';
import { config } from '#lib/server/config.js';

/** Server-sent events: one "message" event whenever the sink receives (or clears) mail. */
export async function GET() {
	if (!dev || !config.mock) error(404, 'Not found');
	const { getMockState } = await import('#lib/server/dev/mock-state.js');
	const state = getMockState();
	if (!state) error(503, 'Mock mode has not started');
	const { events } = state.sink;
	let notify: (id: number) => void = () => {};
	let keepAlive: ReturnType<typeof setInterval> | undefined;
	const stream = new ReadableStream<string>({
		start(controller) {
			notify = (id) => controller.enqueue(`event: message\ndata: ${id}\n\n`);
			events.on('message', notify);
			keepAlive = setInterval(() => controller.enqueue(': keep-alive\n\n'), 15_000);
			controller.enqueue(': connected\n\n');
		},
		cancel() {
			events.off('message', notify);
			clearInterval(keepAlive);
		}
	});
	return new Response(stream.pipeThrough(new TextEncoderStream()), {
		headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-store' }
	});
}
