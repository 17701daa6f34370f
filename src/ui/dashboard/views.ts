// The dashboard's views, in tab order. To add a view (Models, Train, Adapters, ...), write a
// component that takes no props (it reads services through useDashboard()), add its label to
// your i18n catalogue, and append one entry below. The id becomes the URL hash (#models).

import type { ComponentType } from 'preact';
import { ExamplesView } from './examples/ExamplesView';
import { SettingsView } from './settings/SettingsView';
import { ModelsView } from '../models/ModelsView';
import { TrainView } from '../train/TrainView';
import { AdaptersView } from '../adapters/AdaptersView';

export interface DashboardView {
  /** Stable, URL-safe id: used in the hash and in data-testid="dashboard-tab-<id>". */
  id: string;
  /** i18n key of the tab label. */
  labelKey: string;
  component: ComponentType;
}

export const dashboardViews: DashboardView[] = [
  { id: 'examples', labelKey: 'dashboard.view.examples', component: ExamplesView },
  { id: 'models', labelKey: 'dashboard.view.models', component: ModelsView },
  { id: 'train', labelKey: 'dashboard.view.train', component: TrainView },
  { id: 'adapters', labelKey: 'dashboard.view.adapters', component: AdaptersView },
  { id: 'settings', labelKey: 'dashboard.view.settings', component: SettingsView },
];
