// The uploader's periodic work: providers that stopped re-registering drop out.
import type { Job } from '../platform/jobs.ts';
import { expireProviders } from './providers.ts';

export const uploaderJob: Job = { name: 'uploader-providers', run: (db, now) => expireProviders(db, now) };
