// Which requests a tracing process records when the operator has not chosen: one in ten, and every
// request whose caller sampled it (its `traceparent`). OpenTelemetry's own default records every
// request, which costs a transfer a tenth or more of its latency (docs/benchmarks.md, "Tracing,
// fifth pass"); one in ten costs about a twentieth on Node 24, and a caller still gets a whole
// trace of the request it wants to follow by sending a sampled `traceparent`.

/** The sampler a tracing process uses unless `OTEL_TRACES_SAMPLER` names one. */
const DEFAULT_SAMPLER = 'parentbased_traceidratio';
/** Its ratio unless `OTEL_TRACES_SAMPLER_ARG` gives one. */
const DEFAULT_SAMPLED_SHARE = '0.1';

/** The `OTEL_*` sampling variables to set in `env` before OpenTelemetry reads them: none when the operator chose. */
export function samplingDefaults(env: NodeJS.ProcessEnv): Record<string, string> {
  if (env.OTEL_TRACES_SAMPLER) return {};
  return {
    OTEL_TRACES_SAMPLER: DEFAULT_SAMPLER,
    OTEL_TRACES_SAMPLER_ARG: env.OTEL_TRACES_SAMPLER_ARG || DEFAULT_SAMPLED_SHARE,
  };
}
