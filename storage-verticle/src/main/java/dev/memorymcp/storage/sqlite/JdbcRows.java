package dev.memorymcp.storage.sqlite;

import dev.memorymcp.storage.internal.JdbcWriter;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Plain JDBC statements inside a write transaction ({@link JdbcWriter}), with the same SQL and
 * parameter tuples as the pooled reads, and rows handed back as Vert.x {@link Row}s so that {@link
 * RowMapper} maps both. Values are the driver's own objects (Integer/Long, Double, String, byte[]
 * or null), as {@link SqliteDecoder} gives them to the pooled reads.
 */
final class JdbcRows {
  private JdbcRows() {}

  /** Every row of {@code sql} with {@code params}. */
  static List<Row> query(Connection c, String sql, Tuple params) throws SQLException {
    try (PreparedStatement ps = JdbcWriter.prepare(c, sql, values(params)); ResultSet rs = ps.executeQuery()) {
      ResultSetMetaData md = rs.getMetaData();
      List<String> names = new ArrayList<>(md.getColumnCount());
      Map<String, Integer> positions = new HashMap<>(); // one lookup for all the rows
      for (int i = 1; i <= md.getColumnCount(); i++) {
        names.add(md.getColumnLabel(i));
        positions.putIfAbsent(md.getColumnLabel(i), i - 1);
      }
      List<Row> rows = new ArrayList<>();
      while (rs.next()) {
        Object[] values = new Object[names.size()];
        for (int i = 0; i < values.length; i++) {
          values[i] = rs.getObject(i + 1);
        }
        rows.add(new ValuesRow(names, positions, values));
      }
      return rows;
    }
  }

  /** Runs an update with {@code params}. */
  static void exec(Connection c, String sql, Tuple params) throws SQLException {
    JdbcWriter.update(c, sql, values(params));
  }

  /** Runs one update per tuple, through one prepared statement. */
  static void batch(Connection c, String sql, List<Tuple> params) throws SQLException {
    if (params.isEmpty()) {
      return;
    }
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (Tuple t : params) {
        JdbcWriter.bind(ps, values(t));
        ps.executeUpdate();
      }
    }
  }

  private static Object[] values(Tuple params) {
    Object[] values = new Object[params.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = params.getValue(i);
    }
    return values;
  }

  /** A read-only row: the column names of its result set and its values. */
  private record ValuesRow(List<String> names, Map<String, Integer> positions, Object[] values) implements Row {
    @Override
    public String getColumnName(int pos) {
      return pos >= 0 && pos < names.size() ? names.get(pos) : null;
    }

    @Override
    public int getColumnIndex(String column) {
      return positions.getOrDefault(column, -1);
    }

    @Override
    public Object getValue(int pos) {
      return values[pos];
    }

    @Override
    public int size() {
      return values.length;
    }

    @Override
    public List<Class<?>> types() {
      return Arrays.stream(values).<Class<?>>map(v -> v == null ? Object.class : v.getClass()).toList();
    }

    @Override
    public Tuple addValue(Object value) {
      throw new UnsupportedOperationException("a row read in a write transaction is read-only");
    }

    @Override
    public void clear() {
      throw new UnsupportedOperationException("a row read in a write transaction is read-only");
    }
  }
}
