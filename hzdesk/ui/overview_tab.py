"""概览: this month so far, chiefs behind schedule, problems to chase, boards to redo, late entries.

Double-clicking a line (or Enter on it) opens the record behind it (the `open_record` signal: ledger key and id).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QGridLayout, QGroupBox, QHBoxLayout, QLabel, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from hzdesk.services.overview import overview
from hzdesk.services.stats import percent
from hzdesk.ui.common import FIGURES_READ, AppContext, ChangeFollower, opens_on_enter


class _List(QTableWidget):
    def __init__(self, headers: list[str], widths: list[int]):
        super().__init__(0, len(headers))
        self.setHorizontalHeaderLabels(headers)
        self.verticalHeader().hide()
        self.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.setAlternatingRowColors(True)
        self.horizontalHeader().setStretchLastSection(True)
        em = self.fontMetrics().horizontalAdvance("中")
        for i, w in enumerate(widths):
            self.setColumnWidth(i, w * em + 12)
        self.keys: list[tuple[str, int]] = []

    def fill(self, rows: list[tuple[tuple[str, int], list[str]]], limit: int = 200) -> None:
        self.setRowCount(0)
        self.keys = []
        for key, cells in rows[:limit]:
            r = self.rowCount()
            self.insertRow(r)
            for c, text in enumerate(cells):
                self.setItem(r, c, QTableWidgetItem(text))
            self.keys.append(key)


class OverviewTab(QWidget):
    # Everything its figures are made of: patrols against rules and appointments, problems and
    # their moves, boards against chiefs, the settings that set the thresholds.
    SHOWS = FIGURES_READ

    open_record = Signal(str, int)

    def __init__(self, ctx: AppContext, parent=None):
        super().__init__(parent)
        self.ctx = ctx
        self.headline = QLabel("")
        self.headline.setObjectName("headline")
        self.headline.setStyleSheet("font-size: 12pt;")
        self.headline.setWordWrap(True)
        self.figures: dict[str, QLabel] = {}
        figures = QHBoxLayout()
        for key, title in (("due", "本月应巡"), ("credited", "按规则完成"), ("done", "实巡"), ("rate", "巡河率"),
                           ("overdue", "超期问题"), ("due_soon", "7 天内到期"), ("boards", "公示牌待更新"),
                           ("late", "本月补录"), ("doubtful", "轨迹存疑"), ("plan_overdue", "一河一策超期任务")):
            box = QGroupBox(title)
            v = QVBoxLayout(box)
            value = QLabel("—")
            value.setObjectName(f"fig_{key}")
            value.setAlignment(Qt.AlignmentFlag.AlignCenter)
            value.setStyleSheet("font-size: 18pt; font-weight: bold;")
            v.addWidget(value)
            figures.addWidget(box)
            self.figures[key] = value

        self.behind = _List(["河长", "级别", "应巡", "完成", "实巡"], [5, 4, 3, 3, 3])
        self.problems = _List(["问题编号", "河湖", "类别", "责任单位", "整改时限", "情况"], [8, 9, 5, 9, 6, 6])
        self.boards = _List(["编号", "河湖", "位置", "应于…前更新"], [6, 9, 9, 7])
        self.late = _List(["巡河日期", "巡河人", "需核实"], [6, 5, 12])
        for table, kind in ((self.behind, "person"), (self.problems, "problem"), (self.boards, "sign_board"),
                            (self.late, "patrol")):
            table.itemDoubleClicked.connect(lambda _i, t=table, k=kind: self._open(t, k))
            opens_on_enter(table, lambda t=table, k=kind: self._open(t, k))
        grid = QGridLayout()
        for i, (title, widget) in enumerate((("本月未达巡河要求的河长", self.behind),
                                             ("超期和即将到期的问题", self.problems),
                                             ("需要更新的公示牌", self.boards),
                                             ("本月需核实的巡河记录（补录、轨迹存疑）", self.late))):
            box = QGroupBox(title + "（双击打开）")
            QVBoxLayout(box).addWidget(widget)
            grid.addWidget(box, i // 2, i % 2)
        # The problems to chase need the width (six columns); the chiefs' list needs little.
        # Lists of boards and late entries are usually short: the top row gets the height.
        grid.setColumnStretch(0, 2)
        grid.setColumnStretch(1, 3)
        grid.setRowStretch(0, 3)
        grid.setRowStretch(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addLayout(figures)
        layout.addLayout(grid, 1)
        self.follower = ChangeFollower(self, ctx.bus, self.SHOWS, self.refresh)
        self.refresh()

    def _open(self, table: _List, kind: str) -> None:
        row = table.currentRow()
        if 0 <= row < len(table.keys):
            self.open_record.emit(*table.keys[row])

    def refresh(self) -> None:
        o = self.ctx.read(overview)
        m = o.month
        self.headline.setText(f"{o.today.year}年{o.today.month}月（截至{o.today.month}月{o.today.day}日，"
                              f"只计已结束的周、旬）：应巡 {m.due} 次，按规则完成 {m.credited} 次，"
                              f"巡河率 {percent(m.rate)}；超期问题 {len(o.overdue)} 个，"
                              f"公示牌待更新 {len(o.boards)} 块。")
        for key, value in (("due", m.due), ("credited", m.credited), ("done", m.done), ("rate", percent(m.rate)),
                           ("overdue", len(o.overdue)), ("due_soon", len(o.due_soon)), ("boards", len(o.boards)),
                           ("late", len(o.late)), ("doubtful", len(o.doubtful)), ("plan_overdue", o.plan_overdue)):
            self.figures[key].setText(str(value))
        for key, late in (("overdue", o.overdue), ("doubtful", o.doubtful), ("plan_overdue", o.plan_overdue)):
            self.figures[key].setStyleSheet("font-size: 18pt; font-weight: bold;" + (" color: #c0392b;" if late else ""))
        self.behind.fill([(("person", c.person_id), [c.name, c.level, str(c.due), str(c.credited), str(c.done)])
                          for c in o.behind])
        self.problems.fill([(("problem", p.id), [p.number, p.water_body, p.category, p.responsible_unit or "",
                                                 p.deadline.isoformat(),
                                                 f"超期 {p.days} 天" if p.days > 0 else
                                                 ("今天到期" if p.days == 0 else f"{-p.days} 天后到期")])
                            for p in o.overdue + o.due_soon])
        self.boards.fill([(("sign_board", b.board_id), [b.code, b.water_body, b.place or "", b.due_by.isoformat()
                                                        + ("（已超期）" if b.overdue else "")])
                          for b in sorted(o.boards, key=lambda b: b.due_by)])
        checks = [(day, ("patrol", pid), [day.isoformat(), name, f"补录：{entered.isoformat()} 录入"])
                  for pid, name, day, entered in o.late]
        checks += [(day, ("patrol", pid), [day.isoformat(), name, f"轨迹：{reason}"])
                   for pid, name, day, reason in o.doubtful]
        self.late.fill([(key, cells) for _day, key, cells in sorted(checks, key=lambda c: c[0])])
