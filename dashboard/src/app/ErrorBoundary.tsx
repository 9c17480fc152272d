import { Component, type ErrorInfo, type ReactNode } from 'react';

interface Props {
  /** What broke, in the message: "the dashboard", "the analytics view". */
  part: string;
  children: ReactNode;
}

interface State {
  error: Error | null;
}

/** A render error shows what happened and a way out, never a blank page. */
export class ErrorBoundary extends Component<Props, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: unknown): State {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error(`downspin dashboard: ${this.props.part} failed`, error, info.componentStack);
  }

  override render(): ReactNode {
    const { error } = this.state;
    if (error === null) return this.props.children;
    return (
      <section className="panel crash" role="alert">
        <h2>Something went wrong in {this.props.part}</h2>
        <p>{error.message || 'An unexpected error.'}</p>
        <div className="row">
          <button type="button" className="primary" onClick={() => this.setState({ error: null })}>
            Try again
          </button>
          <button type="button" onClick={() => window.location.reload()}>
            Reload the page
          </button>
        </div>
      </section>
    );
  }
}
