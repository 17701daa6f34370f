// Every CLI command, by name. Adding a command = one module + one entry here.
import type { Command } from '../command';
import { generateCommand } from './generate';
import { infoCommand } from './info';
import { logitsCommand } from './logits';

export const COMMANDS: readonly Command[] = [infoCommand, generateCommand, logitsCommand];
