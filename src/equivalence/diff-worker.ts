/** Worker-thread entry for `diff`: exposes runDiffBatch to the pool. */
import workerpool from 'workerpool';
import { runDiffBatch } from './diff-batch.ts';

workerpool.worker({ runDiffBatch });
