"""`kpiscore serve`: a local web page where a reviewer drops a document, sees the review
(the page of `kpiscore report OUT.html`) and downloads the annotated .docx and the .xlsx.

    app.py     the FastAPI app: upload page, review page, downloads (create_app)
    upload.py  one upload streamed into a temporary folder under a size limit
    store.py   the reviews kept for download, bounded, deleted at shutdown
    server.py  uvicorn on 127.0.0.1 and a free port, the browser opened (run)
"""

from kpiscore.serve.app import ServeSettings, create_app
from kpiscore.serve.server import run

__all__ = ["ServeSettings", "create_app", "run"]
