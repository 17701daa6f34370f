// Answers rendered as Markdown by markdown-it with raw HTML turned off: any HTML the model writes
// is shown as text, never parsed, so the result is safe to insert. Images are off too (an answer
// must not make the page fetch a remote URL), and links open outside the panel.
import MarkdownIt from 'markdown-it';

const markdown = new MarkdownIt({ html: false, linkify: false, breaks: true, typographer: false });
markdown.disable('image');

// markdown-it's link check already refuses javascript:, vbscript:, file: and data: URLs.
const defaultLinkOpen =
  markdown.renderer.rules.link_open ??
  ((tokens, index, options, _env, self) => self.renderToken(tokens, index, options));
markdown.renderer.rules.link_open = (tokens, index, options, env, self) => {
  const token = tokens[index]!;
  token.attrSet('target', '_blank');
  token.attrSet('rel', 'noopener noreferrer');
  return defaultLinkOpen(tokens, index, options, env, self);
};

/** HTML for an answer's Markdown; only markdown-it's own tags, never the model's. */
export function renderMarkdown(text: string): string {
  return markdown.render(text);
}
