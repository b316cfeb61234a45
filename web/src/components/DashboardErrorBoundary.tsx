import { useQueryErrorResetBoundary } from '@tanstack/react-query';
import { Component, type ErrorInfo, type ReactNode } from 'react';

interface Props {
  children: ReactNode;
  /** What failed, for the fallback's heading ("Orders could not be shown"). */
  title?: string;
  onReset?: () => void;
}

interface State {
  error: Error | null;
}

class Boundary extends Component<Props, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    // The console is where a developer looks; nothing secret is in a render error.
    console.error('Dashboard view failed', error, info.componentStack);
  }

  retry = () => {
    this.props.onReset?.();
    this.setState({ error: null });
  };

  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <div className="notice notice--error" role="alert">
        <p className="notice__title">{this.props.title ?? 'Something went wrong'}</p>
        <p>This part of the dashboard could not be shown. Trying again usually helps.</p>
        <button type="button" className="button" onClick={this.retry}>
          Try again
        </button>
      </div>
    );
  }
}

/**
 * DashboardErrorBoundary catches a failure while drawing a part of the
 * dashboard and shows a fallback with a retry, which also resets failed
 * queries so they are fetched again.
 */
export function DashboardErrorBoundary({ children, title }: { children: ReactNode; title?: string }) {
  const { reset } = useQueryErrorResetBoundary();
  return (
    <Boundary title={title} onReset={reset}>
      {children}
    </Boundary>
  );
}
