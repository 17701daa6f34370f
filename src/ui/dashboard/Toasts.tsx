// Notifications in one polite live region, so screen readers announce them. Each disappears
// after UNDO_WINDOW_MS; while the pointer or keyboard focus is on it, it stays.

import { useEffect, useRef } from 'preact/hooks';
import { t } from '../../i18n';
import type { ToastRequest } from './context';

export const UNDO_WINDOW_MS = 8_000;

export interface Toast extends ToastRequest {
  id: number;
}

interface ToastsProps {
  toasts: Toast[];
  onDismiss: (id: number) => void;
}

export function Toasts({ toasts, onDismiss }: ToastsProps) {
  return (
    <div class="toasts" role="status" aria-live="polite" aria-label={t('dashboard.toasts')} data-testid="toast-region">
      {toasts.map((toast) => (
        <ToastItem key={toast.id} toast={toast} onDismiss={onDismiss} />
      ))}
    </div>
  );
}

function ToastItem({ toast, onDismiss }: { toast: Toast; onDismiss: (id: number) => void }) {
  const timer = useRef<ReturnType<typeof setTimeout>>();
  const start = () => {
    clearTimeout(timer.current);
    timer.current = setTimeout(() => onDismiss(toast.id), UNDO_WINDOW_MS);
  };
  const hold = () => clearTimeout(timer.current);
  useEffect(() => {
    start();
    return hold;
  }, []);

  const undo = async () => {
    onDismiss(toast.id);
    await toast.onUndo?.();
  };

  return (
    <div
      class={`toast toast-${toast.kind ?? 'info'}`}
      data-testid="toast"
      onMouseEnter={hold}
      onMouseLeave={start}
      onFocusIn={hold}
      onFocusOut={start}
    >
      <span data-testid="toast-message">{toast.message}</span>
      {toast.onUndo && (
        <button type="button" onClick={undo} data-testid="toast-undo">
          {t('dashboard.undo')}
        </button>
      )}
      <button type="button" class="toast-dismiss" aria-label={t('dashboard.dismiss')} onClick={() => onDismiss(toast.id)}>
        ×
      </button>
    </div>
  );
}
