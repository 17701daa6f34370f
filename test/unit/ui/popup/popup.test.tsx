// @vitest-environment jsdom
import { afterEach, beforeEach, expect, test } from 'vitest';
import { render } from 'preact';
import { act } from 'preact/test-utils';
import { Popup, type PopupApi } from '../../../../src/ui/popup/Popup';

let container: HTMLElement;
let calls: string[];

beforeEach(() => {
  container = document.createElement('div');
  document.body.append(container);
  calls = [];
});
afterEach(() => {
  render(null, container);
  container.remove();
});

function api(count: number, url: string | undefined, opened = true, assistantError?: Error): PopupApi {
  return {
    countExamples: async () => count,
    activeTab: async () => (url === undefined ? undefined : { id: 4, url }),
    startCapture: async (tabId) => {
      calls.push(`capture:${tabId}`);
      return opened;
    },
    openDashboard: async () => void calls.push('dashboard'),
    openAssistant: async () => {
      if (assistantError) throw assistantError;
      calls.push('assistant');
    },
    requestPersistence: async () => {
      calls.push('persist');
      return true;
    },
    closePopup: () => void calls.push('close'),
  };
}

const byTestId = (id: string): HTMLElement | null => container.querySelector(`[data-testid="${id}"]`);

async function mount(popupApi: PopupApi): Promise<void> {
  await act(async () => render(<Popup api={popupApi} />, container));
  await act(async () => new Promise((resolve) => setTimeout(resolve, 0)));
}

test('shows the count and asks for persistent storage once something is saved', async () => {
  await mount(api(12, 'https://news.example/'));
  expect(byTestId('popup-count')!.textContent).toBe('12 examples saved');
  expect(byTestId('popup-count')!.dataset.count).toBe('12');
  expect(calls).toContain('persist');
});

test('an empty collection shows "No examples yet" and does not ask for persistence', async () => {
  await mount(api(0, 'https://news.example/'));
  expect(byTestId('popup-count')!.textContent).toBe('No examples yet');
  expect(calls).not.toContain('persist');
});

test('Capture selection opens the form in the current tab and closes the popup', async () => {
  await mount(api(1, 'https://news.example/'));
  const button = byTestId('popup-capture') as HTMLButtonElement;
  expect(button.disabled).toBe(false);
  await act(async () => button.click());
  expect(calls).toEqual(expect.arrayContaining(['capture:4', 'close']));
});

test.each([
  ['chrome://extensions', /Browser pages/],
  ['https://chromewebstore.google.com/detail/abc', /web store/],
  ['file:///tmp/a.html', /file URLs/],
])('on %s the capture button is disabled and says why', async (url, reason) => {
  await mount(api(1, url));
  const button = byTestId('popup-capture') as HTMLButtonElement;
  expect(button.disabled).toBe(true);
  expect(byTestId('popup-disabled-reason')!.textContent).toMatch(reason);
  expect(button.getAttribute('aria-describedby')).toBe('popup-disabled-reason');
});

test('a tab that cannot host the form leaves the popup open with an error', async () => {
  await mount(api(1, 'https://news.example/', false));
  await act(async () => (byTestId('popup-capture') as HTMLButtonElement).click());
  expect(calls).not.toContain('close');
  expect(byTestId('popup-error')!.getAttribute('role')).toBe('alert');
});

test('Open dashboard asks the background and closes the popup', async () => {
  await mount(api(1, 'https://news.example/'));
  await act(async () => (byTestId('popup-open-dashboard') as HTMLButtonElement).click());
  expect(calls.slice(-2)).toEqual(['dashboard', 'close']);
});

test('Open assistant opens the side panel and closes the popup; a refusal is shown, popup kept', async () => {
  await mount(api(1, 'https://news.example/'));
  await act(async () => (byTestId('popup-open-assistant') as HTMLButtonElement).click());
  expect(calls).toEqual(expect.arrayContaining(['assistant', 'close']));

  render(null, container);
  calls = [];
  await mount(api(1, 'https://news.example/', true, new Error('side panel unavailable')));
  await act(async () => (byTestId('popup-open-assistant') as HTMLButtonElement).click());
  expect(calls).not.toContain('close');
  expect(byTestId('popup-error')!.textContent).toContain('side panel unavailable');
});
