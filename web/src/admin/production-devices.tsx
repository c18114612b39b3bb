// The production devices, which the issuing body issues for and switches to automatic issuance
// (a storage device issues from its charging and discharging records instead). Until there are
// any to list, what the section shows in their place: loading, the API's refusal, or none yet.
import type { ReactElement } from 'react';
import { Empty, Failed, Loading } from '../components/states';
import type { Device } from '../metering/types';
import { useAllDevices } from './devices';

export function useProductionDevices(): { list: Device[] } | { instead: ReactElement } {
  const all = useAllDevices();
  if (all.isPending) return { instead: <Loading what="devices" /> };
  if (all.isError) return { instead: <Failed error={all.error} /> };
  const list = all.data.filter((d) => d.device_type === 'production');
  if (list.length === 0) return { instead: <Empty>No production device is registered yet.</Empty> };
  return { list };
}
