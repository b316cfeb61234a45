import '@testing-library/jest-dom/vitest';
import { cleanup, configure } from '@testing-library/react';
import { afterEach, vi } from 'vitest';

// Every wait in these tests is for a condition (findBy…, waitFor), never for a
// fixed time; the bounds only turn one that never comes true into a failure.
// The defaults (Testing Library 1 s, Vitest 5 s a test) are within reach of a
// loaded machine, where the first test of a file alone can take seconds.
configure({ asyncUtilTimeout: 30_000 });
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

afterEach(() => {
  cleanup();
  window.localStorage.clear();
  window.sessionStorage.clear();
  delete window.ethereum;
  window.history.replaceState(null, '', '/');
});
