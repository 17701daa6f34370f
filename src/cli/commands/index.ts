// Every CLI command, by name. Adding a command = one module + one entry here.
import type { Command } from '../command';
import { evalCommand } from './eval';
import { generateCommand } from './generate';
import { infoCommand } from './info';
import { logitsCommand } from './logits';
import { mixCommand } from './mix';
import { trainCommand } from './train';

export const COMMANDS: readonly Command[] = [infoCommand, generateCommand, logitsCommand, trainCommand, evalCommand, mixCommand];
