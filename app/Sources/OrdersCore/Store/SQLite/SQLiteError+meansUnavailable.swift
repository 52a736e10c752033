import SQLiteNIO

extension SQLiteError {
    /// Whether the error says the database cannot serve now, rather than that a statement is wrong: another
    /// process held its lock past the busy timeout (`SQLITE_BUSY`, `SQLITE_LOCKED`), the disk or the file's
    /// page limit is full (`SQLITE_FULL`), the disk failed (`SQLITE_IOERR`), or memory ran out. Each gets
    /// 503 with `Retry-After`; any other SQLite error is a fault of the service, answered 500.
    var meansUnavailable: Bool {
        switch reason {
        case .busy, .busyInRecovery, .busyInSnapshot, .busyTimeout, .locked, .lockedBySharedCache, .full,
            .noMemory, .ioError, .ioErrorFailedRead, .ioErrorIncompleteRead, .ioErrorFailedWrite, .ioErrorFailedSync,
            .ioErrorFailedDirSync, .ioErrorFailedTruncate, .ioErrorFailedStat, .ioErrorFailedUnlock,
            .ioErrorFailedReadLock, .ioErrorFailedDelete, .ioErrorNoMemory, .ioErrorFailedAccess,
            .ioErrorFailedLockCheck, .ioErrorFailedAdvisoryLock, .ioErrorFailedClose, .ioErrorFailedSharedMemOpen,
            .ioErrorFailedSharedMemSize, .ioErrorFailedSharedMemMap, .ioErrorFailedMemoryMap:
            true
        default:
            false
        }
    }
}
