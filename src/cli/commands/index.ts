/** The command table. */
import type { Command } from '../command.ts';
import { listCommand } from './list.ts';
import { verifyCommand } from './verify.ts';
import { nightlyCommand } from './nightly.ts';
import { simulateCommand } from './simulate.ts';
import { mergeCommand } from './merge.ts';
import { traceCommand } from './trace.ts';
import { replayCommand } from './replay.ts';
import { diffCommand } from './diff.ts';
import { findingsCommand } from './findings.ts';

export const COMMANDS: readonly Command[] = [verifyCommand, listCommand, mergeCommand, traceCommand, replayCommand, nightlyCommand, simulateCommand, diffCommand, findingsCommand];
