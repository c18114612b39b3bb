import type { TechnologyLabel } from '../metering/index.ts';
import type { EnergySource } from './tables.ts';

/** The energy source a technology label stands for: a device's declared source must agree with its codes. */
export const SOURCE_OF_LABEL: Record<TechnologyLabel, EnergySource> = {
  Solar: 'solar_pv',
  Wind: 'wind',
  Hydro: 'hydro',
  Marine: 'marine',
  Biomass: 'biomass',
  Biogas: 'biogas',
  Waste: 'waste',
  Nuclear: 'nuclear',
  Naturalgas: 'natural_gas',
  Coal: 'coal',
  Oil: 'oil',
};
