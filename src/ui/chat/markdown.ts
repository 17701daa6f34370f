// Answers rendered as Markdown by marked, then sanitised by DOMPurify. Raw HTML the model writes
// is never parsed: marked's html tokens are rendered as escaped text, so "<b>" reads as "<b>".
// DOMPurify then removes anything unsafe marked could still produce (a `javascript:` link).
// Images are shown as their alt text (an answer must not make the page fetch a remote URL), and
// links open outside the panel.
import DOMPurify from 'dompurify';
import { Marked } from 'marked';

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const marked = new Marked({
  async: false,
  gfm: true,
  breaks: true,
  renderer: {
    html: ({ text }) => escapeHtml(text),
    image: ({ text }) => escapeHtml(text),
  },
});

const purify = DOMPurify();
purify.addHook('afterSanitizeAttributes', (node) => {
  if (node.tagName === 'A') {
    node.setAttribute('target', '_blank');
    node.setAttribute('rel', 'noopener noreferrer');
  }
});

/** Safe HTML for an answer's Markdown: marked's own markup only, sanitised. */
export function renderMarkdown(text: string): string {
  const html = marked.parse(text) as string;
  return purify.sanitize(html, { USE_PROFILES: { html: true }, ADD_ATTR: ['target'] });
}
