// The offscreen document hosts the engine (training and generation), so work goes on when the
// dashboard, popup or side panel close. Created by the background (src/background/engine-service.ts).
import { startOffscreenEngine } from '../../src/engine/host/offscreen-engine';

startOffscreenEngine();
