/** Worker-thread entry: exposes runBatch to the pool. */
import workerpool from 'workerpool';
import { runBatch } from './batch.ts';

workerpool.worker({ runBatch });
