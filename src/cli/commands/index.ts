/** The command table. */
import type { Command } from '../command.ts';
import { listCommand } from './list.ts';
import { verifyCommand } from './verify.ts';
import { mergeCommand } from './merge.ts';

export const COMMANDS: readonly Command[] = [verifyCommand, listCommand, mergeCommand];
