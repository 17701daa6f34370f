// "Use this page": the page's main content rather than all of its text. Mozilla's Readability
// (the engine of Firefox's Reader View) finds the article and drops navigation, adverts, cookie
// banners and footers; the article is then read with the capture area's rendered-text
// conversion, so paragraphs, lists, tables and code keep their shape. Runs in the side panel on
// the page's HTML: the page itself only hands over its markup (see page-context.ts), which keeps
// Readability out of the content script every page loads.
import { Readability } from '@mozilla/readability';
import { renderedTextOf } from '../../capture/rendered-text';

export interface MainContent {
  title: string;
  text: string;
  /** 'article': Readability found the main content; 'page': it found none, the whole page's text is used. */
  from: 'article' | 'page';
}

/**
 * Page furniture that pages label as such: landmarks for navigation and site footers, dialogs
 * (cookie and newsletter banners), hidden elements, and blocks whose class or id names them as
 * adverts, banners or breadcrumbs. Readability scores text, so a short advert written as a
 * sentence next to the article can pass its sibling check; the page's own labels settle those.
 */
const FURNITURE = [
  'nav',
  '[role="navigation"]',
  '[role="banner"]',
  '[role="search"]',
  'dialog',
  '[role="dialog"]',
  '[role="alertdialog"]',
  '[aria-hidden="true"]',
  '[hidden]',
].join(', ');
/** Outside the article these are site-wide; inside it (a footnote, a pull quote) they may be content. */
const FURNITURE_OUTSIDE_ARTICLE = 'footer, [role="contentinfo"], aside, [role="complementary"]';
const FURNITURE_NAME =
  /(?:^|[\s_-])(?:ads?|adverts?|advertisements?|adslot|ad-slot|sponsor(?:ed)?|promo|banner|breadcrumbs?|cookie|consent|newsletter|paywall)(?:$|[\s_-])/i;

function removeFurniture(doc: Document): void {
  for (const element of [...doc.body.querySelectorAll(FURNITURE)]) element.remove();
  for (const element of [...doc.body.querySelectorAll(FURNITURE_OUTSIDE_ARTICLE)]) {
    if (!element.parentElement?.closest('article, main, [role="main"]')) element.remove();
  }
  for (const element of [...doc.body.querySelectorAll('[class], [id]')]) {
    if (FURNITURE_NAME.test(element.getAttribute('class') ?? '') || FURNITURE_NAME.test(element.id))
      element.remove();
  }
}

/** The main content of a page given as HTML. Parsed inertly: scripts in it never run. */
export function mainContentOf(html: string, pageTitle: string): MainContent {
  const parse = () => new DOMParser().parseFromString(html, 'text/html');
  const page = parse();
  removeFurniture(page);
  // Readability rewrites the document it reads, so the fallback reads a fresh parse.
  const article = new Readability<Node>(page, { serializer: (node) => node }).parse();
  const content = article?.content;
  if (content && content.nodeType === Node.ELEMENT_NODE) {
    const text = renderedTextOf(content as Element);
    if (text !== '') return { title: article.title?.trim() || pageTitle, text, from: 'article' };
  }
  const body = parse().body;
  return { title: pageTitle, text: body ? renderedTextOf(body) : '', from: 'page' };
}
