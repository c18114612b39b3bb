// The storages Tally's uploader can put a document on now (the providers registered in the last
// minutes). They come from the uploader's Ocean-compatible face, `GET /uploader/`, which is not in
// the OpenAPI document the client is typed by (it speaks Ocean's format), hence plain fetch.
import { useQuery } from '@tanstack/react-query';

export interface Storage {
  type: string;
  description: string;
}

export async function fetchStorages(): Promise<Storage[]> {
  const answer = await fetch('/uploader/');
  if (!answer.ok) throw new Error(`The uploader answered ${answer.status}`);
  const body = (await answer.json()) as unknown;
  return Array.isArray(body) ? (body as Storage[]) : [];
}

export function useStorages() {
  return useQuery({ queryKey: ['storages'], queryFn: fetchStorages });
}
