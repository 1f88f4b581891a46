package dev.memorymcp.storage.sqlite;

import io.vertx.jdbcclient.spi.JDBCColumnDescriptorProvider;
import io.vertx.jdbcclient.spi.JDBCEncoderImpl;
import io.vertx.sqlclient.Tuple;

/**
 * Binds each parameter as it is (String, Long, Integer, Double, byte[] or null): the store passes
 * only values sqlite-jdbc binds natively, so the default encoder's per-parameter metadata lookup
 * is skipped. Plugged in per pool through {@code JDBCConnectOptions.setExtraConfig}.
 */
public final class SqliteEncoder extends JDBCEncoderImpl {

  @Override
  public Object encode(Tuple input, int pos, JDBCColumnDescriptorProvider provider) {
    return input.getValue(pos - 1);
  }
}
