import { expect } from 'chai';

import { renderStatus } from '../src/routes/builds.ts';

describe('renderStatus', () => {
  const status = {
    buildKey: 'a'.repeat(64),
    image: 'shell/htop',
    state: 'active',
    progress: { phase: 'packing', layer: 3, of: 12 },
    attempts: 0,
    log: ['2026-01-01T00:00:00.000Z evaluating', 'error: <script>alert(1)</script>'],
  };

  describe('when a build is running', () => {
    it('shows its progress in words and refreshes itself', () => {
      const page = renderStatus(status);
      expect(page).to.include('packing layer 3 of 12');
      expect(page).to.include('http-equiv="refresh"');
    });
  });

  describe('when the log holds markup', () => {
    it('shows it as text', () => {
      const page = renderStatus(status);
      expect(page).not.to.include('<script>');
      expect(page).to.include('&#60;script&#62;alert(1)&#60;/script&#62;');
    });
  });

  describe('when a build is over', () => {
    it('stops refreshing and shows the failure', () => {
      const failedReason = 'nix-store exited with 1';
      const page = renderStatus({ ...status, state: 'failed', failedReason });
      expect(page).not.to.include('http-equiv="refresh"');
      expect(page).to.include('nix-store exited with 1');
    });
  });
});
