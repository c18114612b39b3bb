// What a device is and how its hours are issued: automatically by the issuing body's job, or by
// hand, which only the issuing body can change.
import { Table } from '@mantine/core';
import { power, utc } from '../format';
import type { Device, MeteringPoint } from './types';

/** How the device's metered hours become certificates, in a short label and a sentence. */
export function issuanceMode(d: Device): { label: string; detail: string } {
  if (d.decommissioned_at !== null)
    return {
      label: 'Decommissioned',
      detail: `Decommissioned ${utc(d.decommissioned_at)}: nothing produced since is issued.`,
    };
  if (d.auto_issue)
    return {
      label: 'Automatic',
      detail: "The issuing body's issuance job issues each complete metered hour on its next run.",
    };
  return {
    label: 'By hand',
    detail: 'Automatic issuance is off: the issuing body turns it on, or issues hours on request.',
  };
}

/** The device's technology as people name it: its EECS label, else its energy source. */
export const technology = (d: Device): string => d.technology_label ?? d.energy_source.replace(/_/g, ' ');

export function DeviceFacts({ device, points }: { device: Device; points: MeteringPoint[] }) {
  const facts: [string, string][] = [
    ['Technology', `${technology(device)} (${device.device_type})`],
    ['Capacity', power(device.capacity)],
    ['Location', `${device.grid}, ${device.country} (time zone ${device.time_zone})`],
    ['Metering points', points.length === 0 ? 'none linked' : points.map((p) => p.id).join(', ')],
    ['Issuance', issuanceMode(device).detail],
  ];
  return (
    <Table variant="vertical" layout="fixed" withTableBorder>
      <Table.Tbody>
        {facts.map(([name, value]) => (
          <Table.Tr key={name}>
            <Table.Th w={140}>{name}</Table.Th>
            <Table.Td style={{ overflowWrap: 'anywhere' }}>{value}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
