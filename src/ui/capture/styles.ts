// Styles for the chip and the capture form. They live inside a closed shadow root whose host is
// reset with `all: initial`, so page CSS can neither restyle nor hide them.

export const CAPTURE_CSS = `
:host { all: initial; }
/* The dialog hangs from a fixed top edge rather than being centred vertically: when it grows (an
   error, the template-name row) it grows downwards, so nothing already shown moves under the
   pointer of someone about to click it. */
.layer { --dialog-top: max(12px, 8vh); }
* { box-sizing: border-box; }
.layer { position: absolute; top: 0; left: 0; width: 0; height: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", "PingFang SC", "Microsoft YaHei", sans-serif; color: #1b1f24; }
.chip { position: absolute; z-index: 2147483647; padding: 4px 10px; border: 1px solid #2f5bd3; border-radius: 999px; background: #fff; color: #2f5bd3; font: inherit; font-size: 13px; cursor: pointer; box-shadow: 0 2px 8px rgba(0,0,0,.18); white-space: nowrap; }
.chip:hover, .chip:focus-visible { background: #2f5bd3; color: #fff; outline: 2px solid #9db4f0; }
.backdrop { position: fixed; inset: 0; z-index: 2147483646; background: rgba(15, 20, 30, .35); }
.dialog { position: fixed; z-index: 2147483647; top: var(--dialog-top); left: 50%; transform: translateX(-50%); width: min(480px, calc(100vw - 24px)); max-height: calc(100vh - var(--dialog-top) - 12px); overflow: auto; padding: 16px; border-radius: 10px; background: #fff; color: #1b1f24; box-shadow: 0 10px 40px rgba(0,0,0,.3); text-align: left; }
.dialog h2 { margin: 0 0 10px; font-size: 17px; font-weight: 600; }
.field { display: flex; flex-direction: column; gap: 3px; margin: 0 0 10px; }
.field label { font-weight: 600; font-size: 13px; }
.field textarea, .field input, .field select { font: inherit; color: inherit; background: #fff; padding: 6px 8px; border: 1px solid #aab2bd; border-radius: 6px; width: 100%; }
.field textarea { resize: vertical; min-height: 56px; white-space: pre-wrap; }
.field textarea:focus, .field input:focus, .field select:focus, button:focus-visible { outline: 2px solid #2f5bd3; outline-offset: 1px; }
.row { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
.source { margin: 0 0 10px; font-size: 12px; color: #505a66; overflow-wrap: anywhere; }
.notice { margin: 0 0 10px; padding: 6px 8px; border-radius: 6px; background: #fff6d6; color: #5c4400; font-size: 13px; }
.error { margin: 0 0 10px; padding: 6px 8px; border-radius: 6px; background: #fde2e1; color: #8a1c14; font-size: 13px; }
.status { margin: 0 0 10px; padding: 6px 8px; border-radius: 6px; background: #e3f4e6; color: #1d5a2a; font-size: 13px; }
.actions { display: flex; justify-content: flex-end; gap: 8px; margin-top: 6px; }
button { font: inherit; padding: 6px 14px; border-radius: 6px; border: 1px solid #aab2bd; background: #f4f6f8; color: #1b1f24; cursor: pointer; }
button.primary { background: #2f5bd3; border-color: #2f5bd3; color: #fff; }
button.link { padding: 2px 4px; border: none; background: none; color: #2f5bd3; text-decoration: underline; font-size: 12px; }
button:disabled { opacity: .6; cursor: default; }
.checkbox { display: inline-flex; gap: 4px; align-items: center; font-size: 12px; font-weight: normal; }
.hint { font-size: 12px; color: #505a66; margin: 0; }
`;
