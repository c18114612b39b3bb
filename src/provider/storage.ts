// Content-addressed storage: IPFS UnixFS files (@helia/unixfs) over a filesystem blockstore, no
// network swarm. An upload is imported into a staging blockstore of its own and moved into the
// main one only when it is accepted (sizes right, payment made): a refused upload leaves nothing
// behind, and a block shared with other content is never deleted by one upload's failure.
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { unixfs } from '@helia/unixfs';
import { FsBlockstore } from 'blockstore-fs';
// multiformats is @helia/unixfs's own dependency (the CID class it takes); a CID is parsed with it.
import { CID } from 'multiformats/cid';

/** How much of a file is read ahead while it is served. */
const WINDOW = 4 * 1024 * 1024;

export interface Staging {
  /** Imports one file's bytes as they arrive; its root CID (CIDv1) once they have all been read. */
  add(bytes: AsyncIterable<Uint8Array>): Promise<string>;
  /** Moves the staged blocks into the store. */
  commit(): Promise<void>;
  discard(): Promise<void>;
}

export interface ContentStore {
  stage(id: string): Promise<Staging>;
  /** The bytes of the file `cid`, which is `length` bytes long. */
  cat(cid: string, length: number): AsyncIterable<Uint8Array>;
  close(): Promise<void>;
}

/** Every file under `dir`, as paths relative to it. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath, e.name)));
}

export async function openContentStore(dataDir: string): Promise<ContentStore> {
  const blocksDir = join(dataDir, 'blocks');
  const stagingRoot = join(dataDir, 'staging');
  // Staged uploads a crash cut short were never accepted.
  await rm(stagingRoot, { recursive: true, force: true });
  const blocks = new FsBlockstore(blocksDir);
  await blocks.open();
  const files = unixfs({ blockstore: blocks });

  return {
    async stage(id) {
      const dir = join(stagingRoot, id);
      const staged = new FsBlockstore(dir);
      await staged.open();
      const importer = unixfs({ blockstore: staged });
      return {
        add: async (bytes) => String(await importer.addByteStream(bytes)),
        // Both blockstores lay blocks out the same way (same class, same default sharding), so a
        // block moves by renaming its file: no second copy of the bytes. Renaming over a block the
        // store already holds replaces it with the same bytes.
        async commit() {
          await staged.close();
          for (const path of await filesUnder(dir)) {
            const target = join(blocksDir, path);
            await mkdir(dirname(target), { recursive: true });
            await rename(join(dir, path), target);
          }
          await rm(dir, { recursive: true, force: true });
        },
        async discard() {
          await staged.close();
          await rm(dir, { recursive: true, force: true });
        },
      };
    },
    // Read a window at a time: the exporter walks a file's blocks into a queue as fast as the disk
    // gives them, whatever the reader takes, so one unbounded cat of a large file held all of it in
    // memory. Each window holds at most WINDOW bytes (and reads the few inner nodes above it again).
    async *cat(cid, length) {
      const root = CID.parse(cid);
      for (let offset = 0; offset < length; offset += WINDOW)
        yield* files.cat(root, { offset, length: Math.min(WINDOW, length - offset) });
    },
    close: () => blocks.close(),
  };
}
