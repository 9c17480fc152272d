/** A row of labelled figures (`<dl className="figures">`): the grid's live counts, an overview, a session's. */
export function Figures({ items, label }: { items: ReadonlyArray<readonly [string, string]>; label?: string }) {
  return (
    <dl className="figures" aria-label={label}>
      {items.map(([name, value]) => (
        <div key={name}>
          <dt>{name}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
