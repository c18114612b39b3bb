// A tracing process records one request in ten (and every request its caller sampled) unless the
// operator chose a sampler; a choice, or a ratio alone, is kept as given.
import { describe, expect, it } from 'vitest';
import { samplingDefaults } from '../../src/platform/trace-sampling.ts';

describe('samplingDefaults', () => {
  it('samples one request in ten, following the caller, when no sampler is named', () => {
    expect(samplingDefaults({})).toEqual({
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.1',
    });
    expect(samplingDefaults({ OTEL_TRACES_SAMPLER: '' })).toEqual({
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.1',
    });
  });

  it('takes a ratio the operator gave without a sampler as the share to sample', () => {
    expect(samplingDefaults({ OTEL_TRACES_SAMPLER_ARG: '0.25' })).toEqual({
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
    });
  });

  it('leaves a sampler the operator named, and its argument, alone', () => {
    expect(samplingDefaults({ OTEL_TRACES_SAMPLER: 'parentbased_always_on' })).toEqual({});
    expect(samplingDefaults({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.5' })).toEqual({});
    expect(samplingDefaults({ OTEL_TRACES_SAMPLER: 'traceidratio' })).toEqual({});
  });
});
