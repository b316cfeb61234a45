import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { DashboardErrorBoundary } from './DashboardErrorBoundary';

describe('DashboardErrorBoundary', () => {
  it('shows a fallback with a retry that draws the children again', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    let fail = true;
    function Flaky() {
      if (fail) throw new Error('boom');
      return <p>All good</p>;
    }
    render(
      <DashboardErrorBoundary title="Your orders could not be shown">
        <Flaky />
      </DashboardErrorBoundary>,
    );
    const alert = screen.getByRole('alert');
    expect(alert).toHaveTextContent('Your orders could not be shown');
    expect(alert).not.toHaveTextContent('boom');
    fail = false;
    await userEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(screen.getByText('All good')).toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('renders its children when nothing fails', () => {
    render(
      <DashboardErrorBoundary>
        <p>Fine</p>
      </DashboardErrorBoundary>,
    );
    expect(screen.getByText('Fine')).toBeInTheDocument();
  });
});
