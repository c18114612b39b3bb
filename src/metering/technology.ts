// EECS technology and fuel codes → technology label, from the table shipped with Tally
// (eecs-technology-labels.csv, from Project Origin's DataHubService). Loaded once, on first use.
import { readFileSync } from 'node:fs';

export const TECHNOLOGY_LABELS = [
  'Solar',
  'Wind',
  'Hydro',
  'Marine',
  'Biomass',
  'Biogas',
  'Waste',
  'Nuclear',
  'Naturalgas',
  'Coal',
  'Oil',
] as const;
export type TechnologyLabel = (typeof TECHNOLOGY_LABELS)[number];

export interface Technology {
  technology_code: string;
  fuel_code: string;
  label: TechnologyLabel;
}

let table: Map<string, Technology> | undefined;

function load(): Map<string, Technology> {
  const text = readFileSync(new URL('./eecs-technology-labels.csv', import.meta.url), 'utf8');
  const map = new Map<string, Technology>();
  for (const line of text.split(/\r?\n/).slice(1)) {
    const [technology_code, fuel_code, label] = line.split(',');
    if (!technology_code || !fuel_code || !label) continue;
    map.set(`${technology_code}/${fuel_code}`, { technology_code, fuel_code, label: label as TechnologyLabel });
  }
  return map;
}

export function technologyLabel(technologyCode: string, fuelCode: string): TechnologyLabel | undefined {
  table ??= load();
  return table.get(`${technologyCode}/${fuelCode}`)?.label;
}

export function listTechnologies(): Technology[] {
  table ??= load();
  return [...table.values()];
}
