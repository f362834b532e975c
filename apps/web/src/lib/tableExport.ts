/** One cell of a table sent for XLSX export (components/table/TableExport.vue): as shown, or the raw figure. */
export type Cell = string | number | null;

export interface ExportColumn {
  label: string;
  /** Right-aligned figures in the workbook. */
  numeric?: boolean;
}
