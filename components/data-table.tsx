import { Fragment, type ReactNode } from "react";
import { Pager } from "./pager.tsx";

/**
 * One column: its header, how a row renders in it, and how it sits. `numeric` right-aligns header and cells (and
 * keeps digits tabular); `className` adds cell classes such as `nowrap`, `mono` or `muted`.
 */
export type DataTableColumn<Row> = {
  header: ReactNode;
  /** Unique within the table; defaults to the header when that is a string. */
  key?: string;
  cell: (row: Row) => ReactNode;
  numeric?: boolean;
  /** The cell names its row (`<th scope="row">`), e.g. a cohort or reason that the other cells describe. */
  rowHeader?: boolean;
  width?: string;
  className?: string;
  /** The cell's `data-testid`, where a spec reads one cell of a row. */
  testId?: string;
  /** The cell's title attribute (a tooltip). */
  title?: (row: Row) => string | undefined;
};

export type DataTablePager = { page: number; pageSize: number; total: number; onPage(page: number): void; label: string };

type DataTableProps<Row> = {
  /** The table's accessible name (what e2e specs and screen readers find it by). */
  label: string;
  /** The table's `data-testid`, where a spec finds the table by it. */
  testId?: string;
  /** A visible caption, when the table needs one. */
  caption?: ReactNode;
  columns: readonly DataTableColumn<Row>[];
  rows: readonly Row[];
  /** A stable key; `index` only for rows that have no identity of their own (a file's first records). */
  rowKey: (row: Row, index: number) => string;
  rowClassName?: (row: Row) => string | undefined;
  /** Every row's `data-testid`, where specs find rows by it. */
  rowTestId?: string;
  /** A full-width row under a row (e.g. its raw payload, opened on demand); null renders nothing. */
  rowDetail?: (row: Row) => ReactNode;
  /** Shown instead of the table when there are no rows. */
  emptyText: ReactNode;
  className?: string;
  /** Paging through a longer list (components/pager.tsx); only a client component can pass one. */
  pager?: DataTablePager;
  /** Rendered under the table inside its box, e.g. a link to older rows. */
  footer?: ReactNode;
};

/**
 * The product's table: typed columns, an accessible name and the empty state. On phones each row becomes a card, each
 * cell labelled with its column's header (app/globals.css, "Tables on phones"): a table scrolled sideways inside its
 * panel showed a phone its first column or two and hid the rest. Works in server and client components.
 */
export function DataTable<Row>({
  label,
  testId,
  caption,
  columns,
  rows,
  rowKey,
  rowClassName,
  rowTestId,
  rowDetail,
  emptyText,
  className,
  pager,
  footer,
}: DataTableProps<Row>) {
  if (rows.length === 0) {
    return (
      <>
        <p className="empty">{emptyText}</p>
        {footer}
      </>
    );
  }
  return (
    <>
      <div className="table-wrap">
        <table aria-label={label} className={className ? `data-table ${className}` : "data-table"} data-testid={testId}>
          {caption ? <caption>{caption}</caption> : null}
          <thead>
            <tr>
              {columns.map((column, index) => (
                <th
                  key={columnKey(column, index)}
                  scope="col"
                  className={column.numeric ? "num" : undefined}
                  style={column.width ? { width: column.width } : undefined}
                >
                  {column.header}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row, rowIndex) => {
              const detail = rowDetail?.(row);
              return (
                <Fragment key={rowKey(row, rowIndex)}>
                  <tr className={rowClassName?.(row)} data-testid={rowTestId}>
                    {columns.map((column, index) => {
                      const Cell = column.rowHeader ? "th" : "td";
                      return (
                        <Cell
                          key={columnKey(column, index)}
                          scope={column.rowHeader ? "row" : undefined}
                          className={cellClassName(column)}
                          title={column.title?.(row)}
                          data-testid={column.testId}
                          data-label={column.rowHeader ? undefined : cellLabel(column)}
                        >
                          <div className="cell-value">{column.cell(row)}</div>
                        </Cell>
                      );
                    })}
                  </tr>
                  {detail == null ? null : (
                    <tr className="row-detail">
                      <td colSpan={columns.length}>{detail}</td>
                    </tr>
                  )}
                </Fragment>
              );
            })}
          </tbody>
        </table>
      </div>
      {pager ? <Pager {...pager} /> : null}
      {footer}
    </>
  );
}

function columnKey<Row>(column: DataTableColumn<Row>, index: number): string {
  return column.key ?? (typeof column.header === "string" ? column.header : String(index));
}

/** What a phone shows beside a cell, in place of the header row it hides; only text headers can label a cell. */
function cellLabel<Row>(column: DataTableColumn<Row>): string | undefined {
  return typeof column.header === "string" && column.header !== "" ? column.header : undefined;
}

function cellClassName<Row>(column: DataTableColumn<Row>): string | undefined {
  const classes = [column.numeric ? "num" : undefined, column.className].filter(Boolean);
  return classes.length > 0 ? classes.join(" ") : undefined;
}
