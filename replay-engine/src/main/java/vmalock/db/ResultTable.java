package vmalock.db;

import java.util.List;

/**
 * One result set of a report: a title (section), column names and SQL types, and the rows as Java
 * values (Long, Double, BigDecimal, String, Boolean, List, or null).
 */
public record ResultTable(String report, String title, List<String> columns, List<String> types,
                          List<Object[]> rows) {
}
