import { registerCaptureServices } from '../src/background/services';
import { registerEngineService } from '../src/background/engine-service';

// Thin on purpose: services live in src/background/ and register themselves here, inside main,
// so nothing runs at import time (WXT imports this file at build time).
export default defineBackground(() => {
  registerCaptureServices();
  registerEngineService();
});
