// The background's answers to each message kind. Page data (anything a content script sends) is
// validated and capped here, whatever the form already did: the background is the last check
// before storage.

import { MAX_SOURCE_TITLE_CHARS, MAX_SOURCE_URL_CHARS, validateExample } from '../dataset/example';
import type { ExampleSavePayload } from '../messaging/protocol';
import { MAX_TEMPLATE_INSTRUCTION_CHARS, MAX_TEMPLATE_NAME_CHARS } from '../storage/templates-repo';
import type { CapturePorts } from './ports';
import { HandlerRefusal, type Handlers, type SenderInfo } from './router';


/**
 * The source of a capture. For a content script the URL comes from the browser (`sender.url`),
 * not from the payload, so a page cannot attribute text to another site. Title and URL are
 * metadata: an overlong one is shortened rather than refusing the whole example.
 */
export function sourceOf(payload: ExampleSavePayload, sender: SenderInfo): { sourceUrl: string; sourceTitle: string } {
  const url = sender.fromContentScript ? (sender.url ?? '') : payload.sourceUrl;
  return {
    sourceUrl: url.slice(0, MAX_SOURCE_URL_CHARS),
    sourceTitle: payload.sourceTitle.trim().slice(0, MAX_SOURCE_TITLE_CHARS),
  };
}

export function createHandlers(ports: CapturePorts): Handlers {
  return {
    'example.save': async (payload, sender) => {
      // Instruction, input and output are never silently cut: over 20,000 characters (or an empty
      // output) is refused with the problems listed, and the form keeps the text.
      // Only Attune's own pages (the chat) say an example came from the chat; a page's content
      // script cannot label its text that way.
      const { origin, ...fields } = payload;
      const draft = { ...fields, ...sourceOf(payload, sender), ...(origin && !sender.fromContentScript ? { origin } : {}) };
      const checked = validateExample(draft);
      if (!checked.ok) {
        throw new HandlerRefusal('error.invalid-example', { problems: checked.problems.map((p) => p.message).join(' ') }, checked.problems);
      }
      return ports.addExample(checked.draft);
    },
    'examples.count': async () => ({ count: await ports.countExamples() }),
    'templates.list': async () => ({ templates: await ports.listTemplates() }),
    'templates.save': async ({ name, instruction, urlPattern }) => {
      const cleanName = name.trim();
      const cleanInstruction = instruction.trim();
      if (!cleanName || cleanName.length > MAX_TEMPLATE_NAME_CHARS) {
        throw new HandlerRefusal('error.malformed.template-name', { max: MAX_TEMPLATE_NAME_CHARS });
      }
      if (!cleanInstruction || cleanInstruction.length > MAX_TEMPLATE_INSTRUCTION_CHARS) {
        throw new HandlerRefusal('error.malformed.template-instruction', { max: MAX_TEMPLATE_INSTRUCTION_CHARS });
      }
      return { template: await ports.saveTemplate(cleanName, cleanInstruction, urlPattern.trim().toLowerCase()) };
    },
    'settings.capture': () => ports.readCaptureSettings(),
    'capture.start': async ({ tabId, mode }) => ({ opened: await ports.openCaptureForm(tabId, mode) }),
    'dashboard.open': async () => {
      await ports.openDashboard();
      return { opened: true };
    },
  };
}
