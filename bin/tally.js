#!/usr/bin/env node
// Runs the TypeScript sources directly: tsx strips types on load, so there is no build step
// between a fresh clone and a running server.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
