// The side panel's chat logic, free of the DOM: which adapter answers, compare mode, few-shot
// retrieval, page context, streaming through the engine with Stop, saving every message to the
// conversations store, and saving an answer as a training example (Good / Edit & save). The
// Preact view renders `state` and calls the methods below.
import type { GeneratePayload, GenerateResult } from '../../engine/protocol/types';
import type { ErrorInfo } from '../../errors/attune-error';
import { errorInfoOf } from '../describe-error';
import { t } from '../../i18n';
import type { RequestOptions } from '../../engine/client/engine-client';
import { ExampleRetriever, type RetrievableExample } from '../../retrieval';
import { demonstrationsOf } from '../../tuning/peft/retrieval-settings';
import type { AttuneDb } from '../../storage/db';
import { BUNDLED_MODEL_ID } from '../../model-store/bundled';
import { listAdapters } from '../../storage/adapters-repo';
import { pickAdapterForPage, type BindingReason } from '../../binding/choice';
import { siteOf } from '../../binding/site-pattern';
import { listExamples } from '../../storage/examples-repo';
import { getSettings, updateSettings } from '../../storage/settings-repo';
import { allExamplesOldestFirst } from '../../storage/examples-repo';
import {
  appendMessage,
  conversationToJson,
  createConversation,
  deleteConversation,
  getConversation,
  listConversations,
  renameConversation,
  setConversationAdapter,
} from '../../storage/conversations-repo';
import type { ConversationRecord } from '../../storage/schema';
import type { CaptureApi, SaveOutcome } from '../../capture/api';
import type { ExampleSavePayload } from '../../messaging/protocol';
import { getModel } from '../../storage/models-repo';
import { exampleForAnswer } from './answer-example';
import { modelMessages } from './messages';
import type { ContextSource, PageContext } from './page-context';

/** The slice of the engine client the chat uses (EngineClient satisfies it; tests pass a fake). */
export interface ChatEngine {
  request(
    kind: 'model.generate',
    payload: GeneratePayload,
    options: RequestOptions<'model.generate'>,
  ): Promise<GenerateResult>;
}

export interface ChatServices {
  db: AttuneDb;
  engine: ChatEngine;
  readContext(source: ContextSource): Promise<PageContext>;
  /** Where answers marked Good or corrected are saved: the capture form's own save path. */
  capture: CaptureApi;
  /** Milliseconds on a monotonic clock, for tokens per second (tests pass a fake). */
  now?: () => number;
  /** The address of the page beside the panel, for the adapter bound to its site; absent: none. */
  pageUrl?: () => Promise<string | null>;
}

/** Demonstrations retrieved when "few-shot from my examples" is on. */
export const FEW_SHOT_K = 3;
/** New tokens per answer. */
export const MAX_ANSWER_TOKENS = 128;

export interface AdapterChoice {
  id: string;
  name: string;
  /** The method as people know it ('LoRA', 'DoRA', ...), for "LoRA 'work notes'". */
  kind: string;
  createdAt: number;
  sites?: string[];
  tags?: string[];
}

/**
 * Why the adapter that answers was chosen: a binding (site pattern, or tag), the person's choice
 * for this conversation, the default adapter setting, or nothing bound here ('none').
 */
export type AdapterReason = BindingReason | { kind: 'chosen' } | { kind: 'default' } | { kind: 'none' };

/** 'LoRA', 'DoRA' or the method's own name: the word before the adapter's name in the reason line. */
export function adapterKind(record: { method: string; config: Record<string, unknown> }): string {
  if (record.method === 'lora') return record.config.use_dora === true ? 'DoRA' : 'LoRA';
  return record.method;
}

/**
 * Decoding speed of one answer: the tokens after the first over the time from the first piece of
 * text to the end (the first piece waits for the model to load and read the prompt, which is not
 * writing speed). Null when fewer than two tokens or no measurable time.
 */
export function decodingRate(tokens: number, firstPieceAt: number | null, endAt: number): number | null {
  if (firstPieceAt === null || tokens < 2 || endAt <= firstPieceAt) return null;
  return (tokens - 1) / ((endAt - firstPieceAt) / 1000);
}

/** An answer being written: compare mode streams two, one after the other. */
export interface StreamingAnswer {
  variant: 'base' | 'tuned' | null;
  adapterId: string | null;
  text: string;
  done: boolean;
  /** Set when the answer ends (see decodingRate). */
  tokensPerSecond?: number;
}

/** What happened to an answer saved as an example (Good or Edit & save), by message id. */
export type AnswerFeedback = SaveOutcome['kind'];

export interface ChatState {
  conversations: ConversationRecord[];
  current: ConversationRecord | null;
  adapters: AdapterChoice[];
  adapterId: string | null;
  /** Why `adapterId` answers (shown under the adapter menu). */
  adapterReason: AdapterReason;
  /** The active base model, which answers: id and display name. */
  model: { id: string; name: string };
  /** Answers saved as examples in this session, by message id. */
  feedback: Record<string, AnswerFeedback>;
  compare: boolean;
  fewShot: boolean;
  context: PageContext | null;
  /** The page or selection is being read and fitted to the model (the engine may be starting). */
  readingContext: boolean;
  streaming: StreamingAnswer[];
  /** Demonstrations used for the answer in progress (or the last one). */
  demonstrations: number;
  generating: boolean;
  /** Plain-language problem to show, or null. */
  /** The last failure: an engine, storage or page-context error, or the chat's own 'too-long'. */
  error: ErrorInfo | null;
}

export function initialChatState(): ChatState {
  return {
    conversations: [],
    current: null,
    adapters: [],
    adapterId: null,
    adapterReason: { kind: 'none' },
    model: { id: BUNDLED_MODEL_ID, name: BUNDLED_MODEL_ID },
    feedback: {},
    compare: false,
    fewShot: false,
    context: null,
    readingContext: false,
    streaming: [],
    demonstrations: 0,
    generating: false,
    error: null,
  };
}

type Listener = (state: ChatState) => void;

export class ChatController {
  private current: ChatState = initialChatState();
  private readonly listeners = new Set<Listener>();
  private abort: AbortController | null = null;
  /** Demonstrations each adapter was trained with (its stored retrieval settings); absent: none. */
  private adapterDemonstrations = new Map<string, number>();
  /** The default adapter setting (`activeAdapterId`), used where no binding matches. */
  private defaultAdapterId: string | null = null;
  /** The person chose an adapter before the conversation they are starting existed. */
  private pendingOverride = false;

  constructor(private readonly services: ChatServices) {}

  /** Templates for the "Edit & save" form come from the same place captures save to. */
  get captureApi(): ChatServices['capture'] {
    return this.services.capture;
  }

  get state(): ChatState {
    return this.current;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Loads the adapters of the active model, the adapter chosen last (the `activeAdapterId`
   * setting, shared with the dashboard's "Use in chat") and the conversations. Call once when the
   * panel opens.
   */
  async load(): Promise<void> {
    const { db } = this.services;
    const settings = await getSettings(db);
    const modelId = settings.activeModelId ?? BUNDLED_MODEL_ID;
    const [adapters, conversations, model] = await Promise.all([
      listAdapters(db, modelId),
      listConversations(db),
      getModel(db, modelId),
    ]);
    this.defaultAdapterId = adapters.some((a) => a.id === settings.activeAdapterId) ? settings.activeAdapterId : null;
    this.adapterDemonstrations = new Map(adapters.map((a) => [a.id, demonstrationsOf(a.config)]));
    this.set({
      adapters: adapters.map((a) => ({
        id: a.id,
        name: a.name,
        kind: adapterKind(a),
        createdAt: a.createdAt,
        ...(a.sites ? { sites: a.sites } : {}),
        ...(a.tags ? { tags: a.tags } : {}),
      })),
      conversations,
      // The shipped model has a record only once the Models view or the engine has listed it.
      model: { id: modelId, name: model?.name ?? (modelId === BUNDLED_MODEL_ID ? t('chat.model.bundled') : modelId) },
    });
    // A conversation in progress keeps its adapter; before one starts, the page decides.
    if (this.current.current === null && !this.pendingOverride) await this.pickForPage();
    else if (this.current.adapterId !== null && !this.current.adapters.some((a) => a.id === this.current.adapterId)) {
      this.set({ adapterId: null, adapterReason: { kind: 'none' } }); // deleted meanwhile
    }
  }

  /**
   * Chooses the adapter for a conversation about to start: the one bound to the page beside the
   * panel (the most specific site pattern, else a tag its examples carry), else the default
   * adapter setting, else the base model; and says why.
   */
  private async pickForPage(): Promise<void> {
    const url = (await this.services.pageUrl?.().catch(() => null)) ?? null;
    const pick = url === null ? null : pickAdapterForPage(this.current.adapters, url, await this.hostTags(url));
    if (pick) {
      this.set({ adapterId: pick.adapterId, adapterReason: pick.reason, compare: this.current.compare });
      return;
    }
    const fallback = this.defaultAdapterId;
    this.set({
      adapterId: fallback,
      adapterReason: fallback === null ? { kind: 'none' } : { kind: 'default' },
      compare: fallback === null ? false : this.current.compare,
    });
  }

  /** How many of the person's examples from the page's host carry each tag (only if any adapter has tags). */
  private async hostTags(url: string): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    const host = siteOf(url)?.host.toLowerCase();
    if (!host || !this.current.adapters.some((a) => (a.tags?.length ?? 0) > 0)) return counts;
    try {
      for (const example of await listExamples(this.services.db, { site: host })) {
        for (const tag of example.tags) counts.set(tag, (counts.get(tag) ?? 0) + 1);
      }
    } catch {
      // Unreadable examples only lose the tag step; site patterns already had their say.
    }
    return counts;
  }

  /**
   * The person picks the adapter that answers (null: the base model), over any binding: it is
   * remembered for this conversation (and the one about to start), and as the default setting.
   */
  async chooseAdapter(adapterId: string | null): Promise<void> {
    const known = adapterId === null || this.current.adapters.some((a) => a.id === adapterId);
    if (!known) return;
    // Compare mode needs a tuned side: switching to the base model turns it off.
    this.set({ adapterId, adapterReason: { kind: 'chosen' }, compare: adapterId === null ? false : this.current.compare });
    this.pendingOverride = this.current.current === null;
    await this.reportStorageErrors(async () => {
      await updateSettings(this.services.db, { activeAdapterId: adapterId });
      this.defaultAdapterId = adapterId;
      const open = this.current.current;
      if (open) this.set({ current: await setConversationAdapter(this.services.db, open.id, adapterId) });
    });
  }

  setCompare(compare: boolean): void {
    this.set({ compare: compare && this.current.adapterId !== null });
  }

  setFewShot(fewShot: boolean): void {
    this.set({ fewShot });
  }

  async attachContext(source: ContextSource): Promise<void> {
    this.set({ readingContext: true, error: null });
    try {
      this.set({ context: await this.services.readContext(source), readingContext: false });
    } catch (error) {
      this.set({ error: errorInfoOf(error), readingContext: false });
    }
  }

  clearContext(): void {
    this.set({ context: null });
  }

  /** Starts afresh; the adapter is picked again for the page beside the panel. */
  async newConversation(): Promise<void> {
    if (this.current.generating) return;
    this.pendingOverride = false;
    this.set({ current: null, streaming: [], demonstrations: 0, error: null });
    await this.pickForPage();
  }

  /** Opens a saved conversation; one deleted meanwhile (another window) is reported, not thrown. */
  async openConversation(id: string): Promise<void> {
    if (this.current.generating) return;
    await this.reportStorageErrors(async () => {
      const current = await getConversation(this.services.db, id);
      this.pendingOverride = false;
      this.set({ current, streaming: [], demonstrations: 0, error: null });
      // A conversation answers with what the person chose for it, else with what its page picks.
      const override = current.adapterOverride;
      if (override && (override.adapterId === null || this.current.adapters.some((a) => a.id === override.adapterId))) {
        this.set({ adapterId: override.adapterId, adapterReason: { kind: 'chosen' }, compare: override.adapterId === null ? false : this.current.compare });
      } else {
        await this.pickForPage();
      }
    });
  }

  /** Renames a conversation; a name that is empty or too long is reported, not saved. */
  async renameConversation(id: string, title: string): Promise<boolean> {
    let renamed = false;
    await this.reportStorageErrors(async () => {
      const record = await renameConversation(this.services.db, id, title);
      const current = this.current.current?.id === id ? record : this.current.current;
      this.set({ current, conversations: await listConversations(this.services.db), error: null });
      renamed = true;
    });
    return renamed;
  }

  /** The example an answer of the open conversation makes (for Good and for Edit & save). */
  exampleFor(messageId: string): ExampleSavePayload | null {
    return this.current.current ? exampleForAnswer(this.current.current, messageId) : null;
  }

  /** "Good": saves the request and this answer as an example, as they are. */
  async markGood(messageId: string): Promise<SaveOutcome> {
    const example = this.exampleFor(messageId);
    if (!example) return { kind: 'failed', reason: 'not an answer' };
    return this.saveExample(messageId, example);
  }

  /** "Edit & save": saves the corrected example (from the capture form), still marked as from the chat. */
  async saveExample(messageId: string, example: ExampleSavePayload): Promise<SaveOutcome> {
    const outcome = await this.services.capture.save({ ...example, origin: 'chat' });
    this.set({ feedback: { ...this.current.feedback, [messageId]: outcome.kind } });
    return outcome;
  }

  async deleteConversation(id: string): Promise<void> {
    await this.reportStorageErrors(async () => {
      await deleteConversation(this.services.db, id);
      const current = this.current.current?.id === id ? null : this.current.current;
      this.set({ current, conversations: await listConversations(this.services.db) });
    });
  }

  async exportConversation(id: string): Promise<{ fileName: string; json: string }> {
    const record = await getConversation(this.services.db, id);
    const stamp = new Date(record.createdAt).toISOString().slice(0, 10);
    return { fileName: `attune-conversation-${stamp}.json`, json: conversationToJson(record) };
  }

  /** Stops the answer being written; what was written so far is kept, marked as stopped. */
  stop(): void {
    this.abort?.abort();
  }

  /** Sends a request and streams the answer(s). Resolves when they are finished or stopped. */
  async send(text: string): Promise<void> {
    const request = text.trim();
    if (request === '' || this.current.generating) return;
    const { adapterId, compare, context } = this.current;
    const abort = new AbortController();
    this.abort = abort;
    this.set({ generating: true, error: null, streaming: [], demonstrations: 0 });
    try {
      let conversation = this.current.current ?? (await createConversation(this.services.db, request));
      if (this.pendingOverride) {
        // Chosen before the conversation existed: remembered for it now.
        conversation = await setConversationAdapter(this.services.db, conversation.id, adapterId);
        this.pendingOverride = false;
      }
      const history = conversation.messages;
      const demonstrations = await this.retrieve(request, context?.text, this.demonstrationCount(adapterId));
      let saved = await appendMessage(
        this.services.db,
        conversation.id,
        context
          ? { role: 'user', content: request, context: context.text }
          : { role: 'user', content: request },
      );
      this.set({ current: saved, context: null, demonstrations: demonstrations.length });
      const messages = modelMessages({ history, demonstrations, text: request, context: context?.text });
      const sides: StreamingAnswer[] = compare
        ? [
            { variant: 'base', adapterId: null, text: '', done: false },
            { variant: 'tuned', adapterId, text: '', done: false },
          ]
        : [{ variant: null, adapterId, text: '', done: false }];
      for (const [index, side] of sides.entries()) {
        // Stopped before an answer began: the first answer is still saved (empty, marked stopped)
        // so a conversation never ends on an unanswered request; later ones are not asked for.
        if (abort.signal.aborted && index > 0) break;
        const outcome = abort.signal.aborted
          ? this.stoppedBeforeStart(side)
          : await this.stream(messages, side, index, abort.signal);
        saved = await appendMessage(this.services.db, saved.id, {
          role: 'assistant',
          content: this.current.streaming[index]!.text,
          adapterId: side.adapterId,
          modelId: this.current.model.id,
          demonstrations: demonstrations.length,
          ...(this.current.streaming[index]!.tokensPerSecond !== undefined
            ? { tokensPerSecond: this.current.streaming[index]!.tokensPerSecond }
            : {}),
          ...(side.variant ? { variant: side.variant } : {}),
          ...(outcome === 'stopped' ? { stopped: true } : {}),
        });
        this.set({ current: saved });
        if (outcome === 'failed') break;
      }
      this.set({ conversations: await listConversations(this.services.db) });
    } catch (error) {
      this.set({ error: errorInfoOf(error) });
    } finally {
      this.abort = null;
      this.set({ generating: false });
    }
  }

  /**
   * Demonstrations to retrieve: few-shot's K when it is on, and at least as many as the chosen
   * adapter was trained with (instruction prompt tuning retrieves at use as in training). In
   * compare mode the base model sees the same turns, so only the adapter differs.
   */
  private demonstrationCount(adapterId: string | null): number {
    const trained = adapterId === null ? 0 : (this.adapterDemonstrations.get(adapterId) ?? 0);
    return Math.max(this.current.fewShot ? FEW_SHOT_K : 0, trained);
  }

  private async retrieve(request: string, context: string | undefined, k: number): Promise<RetrievableExample[]> {
    if (k === 0) return [];
    const examples = await allExamplesOldestFirst(this.services.db);
    return new ExampleRetriever(examples)
      .topK({ instruction: request, input: context, output: '' }, k)
      .map((r) => r.item);
  }

  /** Records an answer that was stopped before the engine was asked for it. */
  private stoppedBeforeStart(side: StreamingAnswer): 'stopped' {
    this.set({ streaming: [...this.current.streaming, { ...side, done: true }] });
    return 'stopped';
  }

  /** Streams one answer into streaming[index]; says how it ended. */
  private async stream(
    messages: GeneratePayload['messages'],
    side: StreamingAnswer,
    index: number,
    signal: AbortSignal,
  ): Promise<'done' | 'stopped' | 'failed'> {
    this.set({ streaming: [...this.current.streaming, side] });
    const update = (change: Partial<StreamingAnswer>) => {
      const streaming = [...this.current.streaming];
      streaming[index] = { ...streaming[index]!, ...change };
      this.set({ streaming });
    };
    const now = this.services.now ?? (() => performance.now());
    let firstPieceAt: number | null = null;
    try {
      const result = await this.services.engine.request(
        'model.generate',
        { messages, adapterId: side.adapterId, sampling: { greedy: true, maxNewTokens: MAX_ANSWER_TOKENS } },
        {
          signal,
          onProgress: ({ delta }) => {
            firstPieceAt ??= now();
            update({ text: this.current.streaming[index]!.text + delta });
          },
        },
      );
      const rate = decodingRate(result.tokens, firstPieceAt, now());
      update({ text: result.text, done: true, ...(rate === null ? {} : { tokensPerSecond: rate }) });
      if (result.stopReason === 'context-full' && result.text === '') {
        // The prompt alone filled the model's context: nothing could be written.
        this.set({ error: { code: 'too-long', message: 'The request is too long for this model.' } });
        return 'failed';
      }
      return 'done';
    } catch (error) {
      update({ done: true });
      if (signal.aborted) return 'stopped';
      this.set({ error: errorInfoOf(error) });
      return 'failed';
    }
  }

  private async reportStorageErrors(work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      this.set({ error: errorInfoOf(error) });
      this.set({
        conversations: await listConversations(this.services.db).catch(() => this.current.conversations),
      });
    }
  }

  private set(change: Partial<ChatState>): void {
    this.current = { ...this.current, ...change };
    for (const listener of this.listeners) listener(this.current);
  }
}

