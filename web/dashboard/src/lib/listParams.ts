/** Session list parameters ⇄ the URL's query string, so a filtered view can be shared. */

import { DEFAULT_LIST_PARAMS, SORT_FIELDS, type SessionListParams, type SortField } from "../api/sessions";

const PAGE_SIZES = [10, 25, 50, 100] as const;

export function paramsFromSearch(search: URLSearchParams): SessionListParams {
  const page = Number(search.get("page") ?? "1");
  const size = Number(search.get("page_size") ?? String(DEFAULT_LIST_PARAMS.pageSize));
  const sortBy = search.get("sort_by") ?? DEFAULT_LIST_PARAMS.sortBy;
  return {
    page: Number.isInteger(page) && page >= 1 ? page : 1,
    pageSize: (PAGE_SIZES as readonly number[]).includes(size) ? size : DEFAULT_LIST_PARAMS.pageSize,
    sortBy: (SORT_FIELDS as readonly string[]).includes(sortBy) ? (sortBy as SortField) : DEFAULT_LIST_PARAMS.sortBy,
    sortOrder: search.get("sort_order") === "asc" ? "asc" : "desc",
    status: (search.get("status") ?? "").split(",").filter(Boolean),
    alertType: search.get("alert_type") ?? "",
    chainId: search.get("chain_id") ?? "",
    author: search.get("author") ?? "",
    startDate: search.get("start_date") ?? "",
    endDate: search.get("end_date") ?? "",
    search: search.get("search") ?? "",
  };
}

export function searchFromParams(params: SessionListParams): URLSearchParams {
  const out = new URLSearchParams();
  const d = DEFAULT_LIST_PARAMS;
  if (params.page !== d.page) out.set("page", String(params.page));
  if (params.pageSize !== d.pageSize) out.set("page_size", String(params.pageSize));
  if (params.sortBy !== d.sortBy) out.set("sort_by", params.sortBy);
  if (params.sortOrder !== d.sortOrder) out.set("sort_order", params.sortOrder);
  if (params.status.length) out.set("status", params.status.join(","));
  if (params.alertType) out.set("alert_type", params.alertType);
  if (params.chainId) out.set("chain_id", params.chainId);
  if (params.author) out.set("author", params.author);
  if (params.startDate) out.set("start_date", params.startDate);
  if (params.endDate) out.set("end_date", params.endDate);
  if (params.search) out.set("search", params.search);
  return out;
}

export { PAGE_SIZES };
