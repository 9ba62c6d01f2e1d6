#!/usr/bin/env node
// Entry point for `kdiag` and `kubectl-kdiag`. Node's compile cache makes warm starts faster.
import module from 'node:module';

module.enableCompileCache?.();
const { execute } = await import('@oclif/core');
await execute({ dir: import.meta.url });
