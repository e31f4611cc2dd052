// Local stand-in for Cloudflare's cron trigger (workerd.capnp's `cron` socket): POST /?scheduledTime=<ms>
// delivers a scheduled event to the Worker through the runtime, as a cron does, and answers its outcome.

const CRON = '30 3 * * *';

export default {
  async fetch(request, env) {
    if (request.method !== 'POST') return new Response('POST /?scheduledTime=<ms since 1970> runs the cron\n', { status: 405 });
    const given = Number(new URL(request.url).searchParams.get('scheduledTime') ?? Date.now());
    const result = await env.WORKER.scheduled({ cron: CRON, scheduledTime: new Date(given) });
    return Response.json(result, { status: result.outcome === 'ok' ? 200 : 500 });
  },
};
